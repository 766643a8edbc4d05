charte::charter!("portals/consent_not_necessary.toml");

fn main() {}
