charte::charter!("portals/does_not_exist.toml");

fn main() {}
