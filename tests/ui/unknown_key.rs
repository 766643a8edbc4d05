charte::charter!("portals/unknown_key.toml");

fn main() {}
