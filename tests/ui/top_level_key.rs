charte::charter!("portals/top_level_key.toml");

fn main() {}
