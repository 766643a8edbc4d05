charte::charter!("portals/duration_unparsable.toml");

fn main() {}
