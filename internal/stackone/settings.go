package stackone

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Setting is one of Config's settings, named so that a caller can tell its
// user which of its own inputs is at fault (the provider maps each to a
// provider attribute).
type Setting int

// The settings New checks.
const (
	SettingAPIKey Setting = iota + 1
	SettingBaseURL
	SettingUserAgent
	SettingMaxRetries
	SettingRequestTimeout
	SettingRequestsPerMinute
)

// Upper bounds of the numeric settings.
const (
	// MaxRetriesLimit is the most retries a call may be given.
	MaxRetriesLimit = 20
	// RequestsPerMinuteLimit is the highest client-side limit accepted.
	RequestsPerMinuteLimit = 100_000
)

// ConfigError is a Config that New refuses: the setting at fault and what is
// wrong with it, a predicate that says what to do and never quotes a secret
// ("contains a colon …"), so that a caller can put its own name for the
// setting in front.
type ConfigError struct {
	Setting Setting
	// Missing is true when the setting is required and not given.
	Missing bool
	Problem string
}

var settingNames = map[Setting]string{
	SettingAPIKey: "the StackOne API key", SettingBaseURL: "the base URL", SettingUserAgent: "the User-Agent",
	SettingMaxRetries: "the number of retries", SettingRequestTimeout: "the request timeout",
	SettingRequestsPerMinute: "the requests per minute",
}

func (e *ConfigError) Error() string { return settingNames[e.Setting] + " " + e.Problem }

// CheckAPIKey applies the rule every API key must meet: not blank, and
// nothing Basic authentication cannot carry (a ':' in the user name) or that
// would break the header (control characters).
func CheckAPIKey(key string) error {
	key = strings.TrimSpace(key)
	switch {
	case key == "":
		return &ConfigError{Setting: SettingAPIKey, Missing: true, Problem: "is empty"}
	case strings.ContainsRune(key, ':') || strings.IndexFunc(key, unicode.IsControl) >= 0:
		return &ConfigError{Setting: SettingAPIKey, Problem: "contains a colon or a control character, which no StackOne API key has: copy the key again from the StackOne dashboard (API Keys), without quotes or line breaks"}
	}
	return nil
}

// checkNumbers applies the rules and defaults of the numeric settings; the
// error joins every one refused.
func checkNumbers(cfg Config) (maxRetries, rpm int, err error) {
	var refused []error
	maxRetries = DefaultMaxRetries
	if cfg.MaxRetries != nil {
		maxRetries = *cfg.MaxRetries
	}
	if maxRetries < 0 || maxRetries > MaxRetriesLimit {
		refused = append(refused, &ConfigError{Setting: SettingMaxRetries, Problem: fmt.Sprintf("must be between 0 and %d, got %d", MaxRetriesLimit, maxRetries)})
	}
	if cfg.RequestTimeout < 0 {
		refused = append(refused, &ConfigError{Setting: SettingRequestTimeout, Problem: fmt.Sprintf("must be positive, got %s", cfg.RequestTimeout)})
	}
	rpm = cfg.RequestsPerMinute
	if rpm == 0 {
		rpm = DefaultRequestsPerMinute
	}
	if rpm < 0 || rpm > RequestsPerMinuteLimit {
		refused = append(refused, &ConfigError{Setting: SettingRequestsPerMinute, Problem: fmt.Sprintf("must be between 1 and %d, got %d", RequestsPerMinuteLimit, rpm)})
	}
	return maxRetries, rpm, errors.Join(refused...)
}
