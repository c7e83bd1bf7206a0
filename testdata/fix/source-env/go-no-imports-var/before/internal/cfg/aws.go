package cfg

var awsAccessKeyID = "AKIAZ7QXJ2ZPFAKEKEY4"

func Key() string { return awsAccessKeyID }
