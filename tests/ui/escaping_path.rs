charte::charter!("portals/../../secrets/site.toml");

fn main() {}
