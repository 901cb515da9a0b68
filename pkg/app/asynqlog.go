package app

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/hibiken/asynq"
)

// AsynqLogger routes asynq's own log lines into the binary's slog logger.
type AsynqLogger struct{ Log *slog.Logger }

var _ asynq.Logger = AsynqLogger{}

func (l AsynqLogger) Debug(args ...any) { l.Log.Debug(fmt.Sprint(args...), "component", "asynq") }
func (l AsynqLogger) Info(args ...any)  { l.Log.Info(fmt.Sprint(args...), "component", "asynq") }
func (l AsynqLogger) Warn(args ...any)  { l.Log.Warn(fmt.Sprint(args...), "component", "asynq") }
func (l AsynqLogger) Error(args ...any) { l.Log.Error(fmt.Sprint(args...), "component", "asynq") }

// Fatal logs and exits, as asynq's Logger contract requires.
func (l AsynqLogger) Fatal(args ...any) {
	l.Log.Error(fmt.Sprint(args...), "component", "asynq")
	os.Exit(1)
}

// AsynqLevel maps a slog level to asynq's.
func AsynqLevel(l slog.Level) asynq.LogLevel {
	switch {
	case l <= slog.LevelDebug:
		return asynq.DebugLevel
	case l <= slog.LevelInfo:
		return asynq.InfoLevel
	case l <= slog.LevelWarn:
		return asynq.WarnLevel
	}
	return asynq.ErrorLevel
}
