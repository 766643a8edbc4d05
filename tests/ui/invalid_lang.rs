charte::charter!("portals/invalid_lang.toml");

fn main() {}
