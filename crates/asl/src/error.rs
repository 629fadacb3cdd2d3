//! Runtime failures as AWS names them: an error name and a cause.

/// A runtime failure: `error` is AWS's error name (`States.Runtime`, `States.TaskFailed`, a
/// Lambda's `errorType`, ...), `cause` its human-readable cause when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub cause: Option<String>,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Failure {
            error: error.into(),
            cause: Some(cause.into()),
        }
    }

    /// `States.Runtime` with the given cause: AWS's error for paths that cannot be found,
    /// failing intrinsics and other data errors that no Retry or Catch with `States.ALL` handles.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Failure::new("States.Runtime", cause)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            Some(c) => write!(f, "{}: {}", self.error, c),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for Failure {}
