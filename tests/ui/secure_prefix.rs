charte::charter!("portals/secure_prefix.toml");

fn main() {}
