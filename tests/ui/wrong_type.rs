charte::charter!("portals/wrong_type.toml");

fn main() {}
