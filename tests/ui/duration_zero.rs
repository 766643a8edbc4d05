charte::charter!("portals/duration_zero.toml");

fn main() {}
