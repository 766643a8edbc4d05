charte::charter!("portals/consent_pattern.toml");

fn main() {}
