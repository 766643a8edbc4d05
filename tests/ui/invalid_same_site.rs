charte::charter!("portals/invalid_same_site.toml");

fn main() {}
