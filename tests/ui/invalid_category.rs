charte::charter!("portals/invalid_category.toml");

fn main() {}
