charte::charter!("portals/host_prefix_domain.toml");

fn main() {}
