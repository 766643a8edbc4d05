charte::charter!("portals/consent_too_long.toml");

fn main() {}
