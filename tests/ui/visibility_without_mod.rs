charte::charter!(pub "portals/unknown_key.toml");

fn main() {}
