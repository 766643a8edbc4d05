charte::charter!("portals/empty_purpose.toml");

fn main() {}
