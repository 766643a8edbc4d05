charte::charter!("portals/extends_escaping.toml");

fn main() {}
