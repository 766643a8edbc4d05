charte::charter!("portals/missing_required.toml");

fn main() {}
