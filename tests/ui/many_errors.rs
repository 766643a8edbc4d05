charte::charter!("portals/many_errors.toml");

fn main() {}
