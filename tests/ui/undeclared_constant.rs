charte::charter!(mod site = "portals/valid.toml");

fn main() {
    let _ = site::_GA;
}
