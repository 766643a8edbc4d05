charte::charter!("portals/anonymous_category.toml");

fn main() {}
