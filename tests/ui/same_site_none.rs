charte::charter!("portals/same_site_none.toml");

fn main() {}
