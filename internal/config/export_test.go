package config

// Defaults are the defaults, for TestExampleDocumentsEveryKey.
var Defaults = defaults
