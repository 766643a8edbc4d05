charte::charter!("portals/base_error_child.toml");

fn main() {}
