charte::charter!("portals/anonymous_domain.toml");

fn main() {}
