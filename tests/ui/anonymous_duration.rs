charte::charter!("portals/anonymous_duration.toml");

fn main() {}
