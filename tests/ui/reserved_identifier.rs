charte::charter!("portals/reserved_identifier.toml");

fn main() {}
