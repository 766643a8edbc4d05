charte::charter!(portals::roubaix);

fn main() {}
