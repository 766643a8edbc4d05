// A file named after a path keyword (`self`, `super`, `crate`) names no module.
charte::charter!("portals/self.toml");

fn main() {}
