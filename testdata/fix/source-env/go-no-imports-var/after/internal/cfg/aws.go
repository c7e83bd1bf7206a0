package cfg

import "os"

var awsAccessKeyID = os.Getenv("AWS_ACCESS_KEY_ID")

func Key() string { return awsAccessKeyID }
