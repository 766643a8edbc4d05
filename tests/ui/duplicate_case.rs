charte::charter!("portals/duplicate_case.toml");

fn main() {}
