//! A real nginx on 127.0.0.1 serving a directory, as users deploy snapshots: static files,
//! ETags and 304s by nginx itself. Started and stopped by the tests.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

static PUBLISHED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub struct Nginx {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
}

impl Nginx {
    /// Serves `dir/www` on a free loopback port; logs under `dir`.
    pub fn start(dir: &Path) -> Nginx {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        std::fs::create_dir_all(dir.join("www")).unwrap();
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        let d = dir.display();
        let config = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\nuser root root;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n  fastcgi_temp_path {d}/tmp;\n  uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n  default_type application/octet-stream;\n  etag on;\n  server {{ listen 127.0.0.1:{port}; root {d}/www; }}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), config).unwrap();
        let mut nginx = Nginx {
            child: None,
            port,
            dir: dir.to_path_buf(),
        };
        nginx.spawn();
        nginx
    }

    fn spawn(&mut self) {
        let child = Command::new("nginx")
            .arg("-e")
            .arg(self.dir.join("error.log"))
            .arg("-c")
            .arg(self.dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (Debian: apt-get install nginx-light)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self, file: &str) -> String {
        format!("http://127.0.0.1:{}/{file}", self.port)
    }

    /// Publishes `bytes` as `file`, atomically (as a deploy would). nginx's ETag is the
    /// file's mtime in seconds and its size, so each publish gets its own second — as real
    /// deploys, seconds apart, do.
    pub fn publish(&self, file: &str, bytes: &[u8]) {
        let tmp = self.dir.join("www").join(format!(".{file}.tmp"));
        std::fs::write(&tmp, bytes).unwrap();
        let n = PUBLISHED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mtime = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + n);
        std::fs::File::options()
            .write(true)
            .open(&tmp)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        std::fs::rename(&tmp, self.dir.join("www").join(file)).unwrap();
    }

    /// The requests nginx logged as (path, status), in order, once there are at least `n`
    /// (it writes the log line just after the response, so this waits for it, up to 5 s).
    pub fn log(&self, n: usize) -> Vec<(String, u16)> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let log: Vec<(String, u16)> = std::fs::read_to_string(self.dir.join("access.log"))
                .unwrap_or_default()
                .lines()
                .filter_map(|l| {
                    let mut quoted = l.split('"');
                    let request = quoted.nth(1)?;
                    let status = quoted.next()?.split_whitespace().next()?.parse().ok()?;
                    Some((request.split_whitespace().nth(1)?.to_owned(), status))
                })
                .collect();
            if log.len() >= n || Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The statuses of [`log`](Self::log).
    pub fn statuses(&self, n: usize) -> Vec<u16> {
        self.log(n).into_iter().map(|(_, status)| status).collect()
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.stop();
    }
}
