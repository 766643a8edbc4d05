charte::charter!("portals/duplicate_name.toml");

fn main() {}
