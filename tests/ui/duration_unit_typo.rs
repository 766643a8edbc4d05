charte::charter!("portals/duration_unit_typo.toml");

fn main() {}
