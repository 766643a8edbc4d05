charte::charter!("portals/duration_too_long.toml");

fn main() {}
