charte::charter!("portals/consent_undeclared.toml");

fn main() {}
