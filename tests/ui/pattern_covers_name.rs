charte::charter!("portals/pattern_covers_name.toml");

fn main() {}
