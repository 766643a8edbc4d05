charte::charter!("portals/toml_syntax.toml");

fn main() {}
