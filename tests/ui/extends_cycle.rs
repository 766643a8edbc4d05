charte::charter!("portals/extends_cycle_a.toml");

fn main() {}
