charte::charter!("portals/invalid_name.toml");

fn main() {}
