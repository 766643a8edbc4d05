charte::charter!("/etc/charte/site.toml");

fn main() {}
