charte::charter!("portals/not_utf8.toml");

fn main() {}
