charte::charter!("portals/host_prefix.toml");

fn main() {}
