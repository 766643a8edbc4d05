charte::charter!("portals/extends_missing.toml");

fn main() {}
