charte::charter!("portals/overlapping_patterns.toml");

fn main() {}
