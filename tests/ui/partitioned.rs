charte::charter!("portals/partitioned.toml");

fn main() {}
