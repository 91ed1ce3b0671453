//! The storefront page end to end in headless Chromium (`tests/e2e/storefront.mjs`
//! with playwright-core): runs when `PASAR_E2E` is set (`.ci/run` sets it and
//! installs Debian's chromium and the npm package) and then fails, never skips,
//! when something is missing; without it, one line says it was skipped.

use super::{block_on, repo_root};

#[test]
fn the_storefront_answers_an_indonesian_and_a_vietnamese_question_in_chromium() {
    let Some(shots) = std::env::var_os("PASAR_E2E").filter(|v| !v.is_empty()) else {
        eprintln!("skipping the Chromium storefront test: PASAR_E2E is not set");
        return;
    };
    let shots = std::path::PathBuf::from(shots);
    std::fs::create_dir_all(&shots).expect("the screenshot folder");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut settings = pasar::server::config::Settings::defaults();
    settings.database_url = format!("sqlite://{}", dir.path().join("e2e.db").display());
    let addr = block_on(async {
        let app = pasar::server::start(settings)
            .await
            .expect("the server starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(pasar::server::run(listener, app, std::future::pending()));
        addr
    });
    let e2e = repo_root().join("tests/e2e");
    let out = std::process::Command::new("node")
        .arg(e2e.join("storefront.mjs"))
        .arg(format!("http://{addr}/"))
        .arg(&shots)
        .current_dir(&e2e)
        .output()
        .expect(
            "node runs (PASAR_E2E is set: node, chromium and playwright-core must be installed)",
        );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the storefront test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("ok:"), "{stdout}");
    assert!(shots.join("storefront-chat.png").exists());
}
