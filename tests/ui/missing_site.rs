charte::charter!("portals/missing_site.toml");

fn main() {}
