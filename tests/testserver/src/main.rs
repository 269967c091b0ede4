use openiap_testserver::{Config, Parsed, TestServer, HELP};
use std::io::Write;

fn main() {
    let config = match Config::from_args(std::env::args().skip(1)) {
        Ok(Parsed::Run(c)) => c,
        Ok(Parsed::Help) => {
            print!("{HELP}");
            return;
        }
        Err(e) => {
            eprintln!("openiap-testserver: {e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let server = match TestServer::start(config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("openiap-testserver: cannot listen: {e}");
                std::process::exit(1);
            }
        };
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", server.listening_line());
        let _ = out.flush();
        std::future::pending::<()>().await;
    });
}
