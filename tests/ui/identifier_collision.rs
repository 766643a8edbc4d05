charte::charter!("portals/identifier_collision.toml");

fn main() {}
